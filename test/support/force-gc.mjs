// Preloaded with --import under --expose-gc: collects garbage every 20 ms, so anything held only weakly
// (an AbortSignal.timeout inside AbortSignal.any on Node 20, nodejs/node#57736) is lost at once.
setInterval(() => globalThis.gc?.(), 20).unref();

/**
 * A reader that goes away (`agentctl eval --json | head`, `agentctl trace … | less` quit early) is not a failure
 * of the command: like a Unix tool killed by SIGPIPE, agentctl stops writing, but it still finishes what it was
 * doing and exits with its own code. An eval whose gate fails still exits 1 under `set -o pipefail`, and one that
 * passes exits 0; neither is reported as a bug in agentctl, nor crashes on an unhandled 'error' event.
 */

/** True for the errors a write raises once its reader has gone: EPIPE, then ERR_STREAM_DESTROYED on later writes. */
export function isClosedReader(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * Lets `streams` (stdout, stderr) lose their reader without the process crashing: the 'error' event of a closed
 * pipe, emitted after a plain write, is dropped. Any other error (a full disk behind `> file`) is left to whoever
 * else listens (a streamSink rejects its pending write with it, so the command reports it and cleans up); with
 * no other listener it is thrown, as an 'error' event nobody handles always was.
 */
export function tolerateClosedReaders(...streams: NodeJS.WritableStream[]): void {
  for (const stream of streams)
    stream.on('error', (error: Error) => {
      if (isClosedReader(error) || stream.listenerCount('error') > 1) return;
      throw error;
    });
}

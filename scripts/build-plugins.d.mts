import type { Plugin } from 'esbuild';

export declare const yogaWithoutFetch: Plugin;
export declare const NARROW_CLASS: string;
export declare const stringWidthFastPath: Plugin;
export declare const sqliteWithoutBindings: Plugin;

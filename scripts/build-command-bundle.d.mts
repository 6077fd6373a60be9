export interface CommandBundle {
  name: string;
  entry: string;
  exportName: string;
  deferred: Record<string, string[]>;
}

export declare const COMMAND_BUNDLES: CommandBundle[];
export declare function asciiOnly(text: string, out: string): Promise<string>;
export declare function buildCommandBundles(define: Record<string, string>): Promise<void>;

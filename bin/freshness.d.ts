/** The repository's root folder. */
export declare const ROOT: string;
/** Whether `root`'s dist/ was built after every file it was built from (see freshness.js). */
export declare function distIsFresh(root?: string): boolean;

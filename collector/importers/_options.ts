/** Options every importer takes. */
export interface ImportOptions {
  /** Session id for the events; by default derived from the file's path. */
  session?: string;
}

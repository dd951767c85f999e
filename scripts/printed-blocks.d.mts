/** README.md, then docs/*.md by name: the files that hold printed blocks. */
export function docFiles(root: string): string[];
/** Every `<!-- consumer: … -->` block: the file holding it, the spec/consumers files it names, its text. */
export function consumerBlocks(root: string): { doc: string; files: string[]; block: string }[];
/** Every `<!-- cli-session -->` session: the file holding it and the text inside the fence. */
export function cliSessions(root: string): { doc: string; text: string }[];
/** README.md and the guides as one text. */
export function docsText(root: string): string;

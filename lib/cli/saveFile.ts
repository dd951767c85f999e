import { randomBytes } from 'node:crypto';
import { lstat, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** A file saved by {@link saveFile}. */
export interface SavedFile {
  /** Where it is now. */
  path: string;
  /** True when a file of that name was there before and was replaced (the caller says so). */
  replaced: boolean;
}

/**
 * Saves `data` as `dir/name` so that a crash leaves either the whole file or none: written to a
 * temporary name in the same folder, fsync'd, renamed over the name, then the folder fsync'd
 * (where the platform allows) so the rename itself survives a power cut. The temporary file is
 * removed if anything fails.
 */
export async function saveFile(dir: string, name: string, data: Uint8Array): Promise<SavedFile> {
  const path = join(dir, name);
  // Short and ours: a long document name must not make the temporary name too long.
  const temporary = join(dir, `.smart-flows-${randomBytes(6).toString('hex')}.partial`);
  // (The name matches PARTIAL: removeLeftovers finds what a killed run left.)
  const replaced = (await lstat(path).catch(() => undefined)) !== undefined;
  try {
    const file = await open(temporary, 'wx');
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(dir);
  return { path, replaced };
}

async function syncFolder(dir: string): Promise<void> {
  // Windows cannot open a folder for fsync; there the rename is as durable as it gets.
  const folder = await open(dir, 'r').catch(() => undefined);
  if (!folder) return;
  await folder.sync().catch(() => undefined);
  await folder.close();
}

/** The temporary name {@link saveFile} writes to before the rename. */
const PARTIAL = /^\.smart-flows-[0-9a-f]{12}\.partial$/;

/** When this process began (about): a temporary file older than this is no write of ours. */
const STARTED_AT = Date.now() - Math.round(process.uptime() * 1000);

/**
 * Removes from `dir` the temporary files of {@link saveFile} that a run killed while writing
 * left (older than this process; never any other file). A folder that does not exist has none.
 * @returns how many were removed
 */
export async function removeLeftovers(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names.filter((n) => PARTIAL.test(n))) {
    const path = join(dir, name);
    const found = await lstat(path).catch(() => undefined);
    if (!found?.isFile() || found.mtimeMs >= STARTED_AT) continue;
    await rm(path, { force: true });
    removed++;
  }
  return removed;
}

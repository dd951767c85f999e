import { randomBytes } from 'node:crypto';
import { lstat, open, rename, rm } from 'node:fs/promises';
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

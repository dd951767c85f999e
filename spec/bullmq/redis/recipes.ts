import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = process.cwd();
/** Where the README's BullMQ recipes live as files the workers run (spec/consumers/bullmq). */
export const RECIPES = path.join(ROOT, 'spec/consumers/bullmq');

/** The BullMQ major this run uses: `BULLMQ=5` (the `bullmq5` alias, see jest.config.js and bullmq5.mjs), else 6. */
export const BULLMQ_MAJOR: 5 | 6 = process.env.BULLMQ === '5' ? 5 : 6;

/** The installed version of that major, for the summary line. */
export const bullmqVersion = (): string =>
  (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', BULLMQ_MAJOR === 5 ? 'bullmq5' : 'bullmq', 'package.json'), 'utf8')) as { version: string }).version;

/** Node's arguments for a recipe: on BullMQ 5, `bullmq` resolves to the alias in it and in the package it loads. */
export const recipeArgs = (file: string): string[] => [...(BULLMQ_MAJOR === 5 ? ['--import', path.join(ROOT, 'spec/bullmq/redis/bullmq5.mjs')] : []), path.join(RECIPES, file)];

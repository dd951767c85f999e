// `node --import ./spec/bullmq/redis/bullmq5.mjs worker.mjs`: `bullmq` resolves to BullMQ 5 (the
// `bullmq5` alias among the dev dependencies) in the recipes and in the built package they load,
// so the same files run on both majors of the peer range.
import { register } from 'node:module';

const hook = `export async function resolve(specifier, context, next) {
  return next(specifier === 'bullmq' ? 'bullmq5' : specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

// Starts bench/simulatorProcess.mjs as a child process and talks to it over IPC.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./simulatorProcess.mjs', import.meta.url));

/**
 * A simulator server in a separate Node process.
 * @returns {Promise<{ url: string, apiKey: string, call: (type: string, args?: object) => Promise<any>, close: () => Promise<void> }>}
 */
/**
 * A Node child process driven over IPC: `call(type, args)` sends `{ id, type, args }` and resolves
 * with the child's `{ id, ok, value }` answer (rejects with its `error`, or when it exits).
 * @param {string} script - the child's module
 * @param {string} name - how its errors name it
 */
export function forkWithCalls(script, name) {
  const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const pending = new Map();
  let next = 0;
  child.on('message', ({ id, ok, value, error }) => {
    const p = pending.get(id);
    pending.delete(id);
    if (ok) p.resolve(value);
    else p.reject(new Error(`${name}: ${error}`));
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`${name} exited with ${code}`));
    pending.clear();
  });
  const call = (type, args) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      child.send({ id, type, args });
    });
  return { child, call };
}

export async function startSimulatorChild({ flows, seed, progressHold }) {
  const { child, call } = forkWithCalls(script, 'simulator process');
  const { url, apiKey } = await call('start', { flows, seed, progressHold });
  return {
    url,
    apiKey,
    call,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await call('close').catch(() => undefined);
      await exited;
    },
  };
}

export async function runBundleBenchmark() { return {}; }

export async function runOverheadBenchmark() { return {}; }

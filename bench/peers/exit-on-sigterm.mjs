// Preloaded into a peer server that is being profiled: SIGTERM ends the process normally, so that
// --cpu-prof writes its profile (a process killed by the signal writes none).
process.once('SIGTERM', () => process.exit(0));

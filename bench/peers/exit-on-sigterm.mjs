// Preloaded into a peer server that is being measured from inside (see instrumentArgs): SIGTERM
// ends the process normally, so that --cpu-prof writes its profile and the segments recorder its
// last times (a process killed by the signal does neither).
process.once('SIGTERM', () => process.exit(0));

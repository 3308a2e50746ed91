// Preloaded into a profiled gateway (`node --cpu-prof --require ...`). Nest's shutdown hook closes the app on
// SIGTERM and then raises SIGTERM again to die by it; a death by signal would skip writing the CPU profile.
// Holding a listener keeps that second signal from killing the process: it exits normally instead.
let signals = 0;
process.on('SIGTERM', () => {
  signals += 1;
  if (signals >= 2) process.exit(0);
});

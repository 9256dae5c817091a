// Functional tests start real servers and some assert latencies; on a 2-core machine they run one at a time.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]

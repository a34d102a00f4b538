// Package bench compares mailaccess with other Go IMAP implementations
// (go-imap v2) on fixed, deterministic workloads: the codec (BenchmarkW1,
// see internal/w1stream), message structure extraction (BenchmarkExtract)
// and the server (BenchmarkServer, see internal/serverload). It is a
// module of its own so that the main module does not depend on the
// libraries it is compared with.
package bench

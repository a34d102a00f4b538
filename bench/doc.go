// Package bench compares mailaccess's IMAP codec with other Go IMAP
// implementations on fixed, deterministic workloads (see
// internal/w1stream). It is a module of its own so that the main module
// does not depend on the libraries it is compared with.
package bench

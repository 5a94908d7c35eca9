// Package replicatest holds the test of several `jgctl serve` replicas on
// one PostgreSQL database: payments through random replicas while one of
// them dies, and the invariants that must hold afterwards.
package replicatest

//go:build !linux

package mockidp_test

import "time"

// threadCPU is not measured outside Linux: the CPU-time ratios read 0/0.
func threadCPU() time.Duration { return 0 }

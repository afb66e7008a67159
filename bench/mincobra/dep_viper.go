//go:build dep_viper

package main

// Linked only with -tags dep_viper (bench/depcost.sh measures what it adds to
// a cobra program's size and start-up). In cwsec: config resolution, every
// command.
import (
	_ "github.com/spf13/viper"
)

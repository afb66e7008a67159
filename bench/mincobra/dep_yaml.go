//go:build dep_yaml

package main

// Linked only with -tags dep_yaml (bench/depcost.sh measures what it adds to a
// cobra program's size and start-up). In cwsec: the config file.
import (
	_ "go.yaml.in/yaml/v3"
)

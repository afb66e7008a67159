package cli

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// configError is a problem with the configuration, located as precisely as the
// source allows: file and line for the config file, variable for the
// environment.
type configError struct {
	file  string
	line  int
	msg   string
	cause error // an I/O error, so that "permission denied" is classified as such
}

func (e *configError) Unwrap() error { return e.cause }

func (e *configError) Error() string {
	switch {
	case e.file != "" && e.line > 0:
		return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg)
	case e.file != "":
		return e.file + ": " + e.msg
	}
	return e.msg
}

// checkConfigYAML walks the YAML document against the Config schema. Viper
// alone would drop an unknown key without a word and report a wrong type
// without saying where; an administrator needs the key and the line.
func checkConfigYAML(data []byte, schema reflect.Type) *configError {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return &configError{msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(doc.Content) == 0 {
		return nil // an empty file sets nothing
	}
	return checkNode(doc.Content[0], schema, "")
}

func checkNode(n *yaml.Node, t reflect.Type, key string) *configError {
	if n.Tag == "!!null" {
		return nil
	}
	switch {
	case t.Kind() == reflect.Struct && t != reflect.TypeOf(time.Duration(0)):
		return checkMapping(n, t, key)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return &configError{line: n.Line, msg: fmt.Sprintf("%s: want a list", describeKey(key))}
		}
		for _, item := range n.Content {
			if err := checkNode(item, t.Elem(), key+"[]"); err != nil {
				return err
			}
		}
		return nil
	default:
		if n.Kind != yaml.ScalarNode {
			return &configError{line: n.Line, msg: fmt.Sprintf("%s: want a single value, not a %s", describeKey(key), kindName(n.Kind))}
		}
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			why := parseScalar(t, n.Value)
			if why == nil {
				why = fmt.Errorf("want a %s", t.Kind())
			}
			return &configError{line: n.Line, msg: fmt.Sprintf("%s: %v, got %q", describeKey(key), why, n.Value)}
		}
		return nil
	}
}

func checkMapping(n *yaml.Node, t reflect.Type, key string) *configError {
	if n.Kind != yaml.MappingNode {
		return &configError{line: n.Line, msg: fmt.Sprintf("%s: want a section of keys, not a %s", describeKey(key), kindName(n.Kind))}
	}
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		if name := yamlName(t.Field(i)); name != "" {
			fields[name] = t.Field(i).Type
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		if !ok {
			return &configError{line: k.Line, msg: fmt.Sprintf("unknown key %q; known keys%s: %s",
				joinKey(key, k.Value), inSection(key), strings.Join(sortedKeys(fields), ", "))}
		}
		if err := checkNode(v, ft, joinKey(key, k.Value)); err != nil {
			return err
		}
	}
	return nil
}

func joinKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func describeKey(key string) string {
	if key == "" {
		return "the file"
	}
	return key
}

func inSection(key string) string {
	if key == "" {
		return ""
	}
	return " in " + key
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "section"
	case yaml.SequenceNode:
		return "list"
	}
	return "value"
}

func sortedKeys(m map[string]reflect.Type) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/cwsec/cwsec/internal/fileio"
	"github.com/cwsec/cwsec/internal/store"
)

// Config is everything cwsec reads from flags, CWSEC_* variables and the
// config file, resolved once per run. The rest of the program reads this
// struct, never viper. Its yaml tags are the config file's keys; adding a
// field here is all it takes for the file, the environment and `config show`
// to know the key.
type Config struct {
	Home          string        `yaml:"-" json:"home"`
	ConfigFile    string        `yaml:"-" json:"config_file"`
	Store         string        `yaml:"store" json:"store"`
	MasterKeyFile string        `yaml:"master_key_file" json:"master_key_file"`
	Output        string        `yaml:"output" json:"output"`
	NoColor       bool          `yaml:"no_color" json:"no_color"`
	LockTimeout   time.Duration `yaml:"lock_timeout" json:"lock_timeout"`
	TLS           TLSConfig     `yaml:"tls" json:"tls"`
	TwoFA         TwoFAConfig   `yaml:"twofa" json:"twofa"`
	Audit         AuditConfig   `yaml:"audit" json:"audit"`
}

// AuditConfig is the audit: section.
type AuditConfig struct {
	// Syslog forwards each event to the local syslog after it is recorded.
	Syslog bool `yaml:"syslog" json:"syslog"`
}

// TLSConfig is the tls: section.
type TLSConfig struct {
	ServerNames []string       `yaml:"server_names" json:"server_names"`
	Roots       string         `yaml:"roots" json:"roots"`
	Endpoints   []string       `yaml:"endpoints" json:"endpoints"`
	WarnDays    int            `yaml:"warn_days" json:"warn_days"`
	CritDays    int            `yaml:"crit_days" json:"crit_days"`
	Deploy      []DeployTarget `yaml:"deploy" json:"deploy"`
}

// DeployTarget is one entry of tls.deploy.
type DeployTarget struct {
	Name           string `yaml:"name" json:"name"`
	Format         string `yaml:"format" json:"format"`
	Path           string `yaml:"path" json:"path,omitempty"`
	PasswordFile   string `yaml:"password_file" json:"password_file,omitempty"`
	PFXProfile     string `yaml:"pfx_profile" json:"pfx_profile,omitempty"`
	CertPath       string `yaml:"cert_path" json:"cert_path,omitempty"`
	KeyPath        string `yaml:"key_path" json:"key_path,omitempty"`
	ChainPath      string `yaml:"chain_path" json:"chain_path,omitempty"`
	Reload         string `yaml:"reload" json:"reload,omitempty"`
	VerifyEndpoint string `yaml:"verify_endpoint" json:"verify_endpoint,omitempty"`
}

// TwoFAConfig is the twofa: section.
type TwoFAConfig struct {
	Issuer      string        `yaml:"issuer" json:"issuer"`
	Skew        int           `yaml:"skew" json:"skew"`
	MaxFailures int           `yaml:"max_failures" json:"max_failures"`
	Lockout     time.Duration `yaml:"lockout" json:"lockout"`
	PendingTTL  time.Duration `yaml:"pending_ttl" json:"pending_ttl"`
}

// defaultConfig holds the defaults that do not depend on where home is.
func defaultConfig() Config {
	return Config{
		Output:      "text",
		LockTimeout: store.DefaultLockTimeout,
		TLS:         TLSConfig{WarnDays: 30, CritDays: 7},
		TwoFA: TwoFAConfig{
			Issuer: "CAREWare", Skew: 1, MaxFailures: 5,
			Lockout: 15 * time.Minute, PendingTTL: 24 * time.Hour,
		},
	}
}

// maxConfigSize bounds the config file read: a real one is a few hundred bytes.
const maxConfigSize = 1 << 20

// flagKeys binds global flags to the config keys they override.
var flagKeys = map[string]string{
	"store":           "store",
	"master-key-file": "master_key_file",
	"output":          "output",
	"no-color":        "no_color",
	"lock-timeout":    "lock_timeout",
}

// loadConfig resolves the configuration with one viper instance:
// flag > CWSEC_* environment > config file > default.
func loadConfig(flags *pflag.FlagSet) (Config, error) {
	// viper reads the environment itself, so everything here does too.
	getenv := os.Getenv
	cfg := defaultConfig()
	cfg.Home = firstNonEmpty(flagString(flags, "home"), getenv("CWSEC_HOME"), defaultHome(getenv))
	cfg.ConfigFile = firstNonEmpty(flagString(flags, "config"), getenv("CWSEC_CONFIG"), filepath.Join(cfg.Home, "config.yaml"))
	cfg.Store = filepath.Join(cfg.Home, "cwsec.db")
	cfg.MasterKeyFile = filepath.Join(cfg.Home, "master.key")

	v := viper.New()
	for _, key := range configKeys(reflect.TypeOf(cfg), "") {
		v.SetDefault(key.name, lookup(reflect.ValueOf(cfg), key.path).Interface())
		if err := checkEnvValue(key, getenv); err != nil {
			return cfg, err
		}
		if err := v.BindEnv(key.name, envName(key.name)); err != nil {
			return cfg, err
		}
	}
	for flagName, key := range flagKeys {
		if f := flags.Lookup(flagName); f != nil {
			if err := v.BindPFlag(key, f); err != nil {
				return cfg, err
			}
		}
	}
	if err := readConfigFile(v, cfg.ConfigFile, flagString(flags, "config") != "" || getenv("CWSEC_CONFIG") != ""); err != nil {
		return cfg, err
	}
	if err := v.Unmarshal(&cfg, func(dc *mapstructure.DecoderConfig) { dc.TagName = "yaml" }); err != nil {
		return cfg, &configError{msg: err.Error()}
	}
	if getenv("NO_COLOR") != "" {
		cfg.NoColor = true
	}
	return cfg, cfg.validate()
}

// readConfigFile checks the file against the schema (so an unknown key or a
// wrong type is reported with its line) and hands it to viper. A missing file
// is fine unless the user named it.
func readConfigFile(v *viper.Viper, path string, named bool) error {
	data, err := fileio.ReadRegular(path, maxConfigSize)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return nil
	}
	if err != nil {
		return &configError{file: path, msg: "cannot read the config file: " + err.Error(), cause: err}
	}
	if err := checkConfigYAML(data, reflect.TypeOf(Config{})); err != nil {
		err.file = path
		return err
	}
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return &configError{file: path, msg: err.Error()}
	}
	return nil
}

func (c Config) validate() error {
	var problems []string
	bad := func(key, format string, args ...any) {
		problems = append(problems, key+": "+fmt.Sprintf(format, args...))
	}
	if c.Output != "text" && c.Output != "json" {
		bad("output", "must be text or json, not %q", c.Output)
	}
	if c.LockTimeout <= 0 {
		bad("lock_timeout", "must be a positive duration such as 5s")
	}
	if c.TLS.WarnDays < 0 || c.TLS.CritDays < 0 || c.TLS.CritDays > c.TLS.WarnDays {
		bad("tls.warn_days/crit_days", "need 0 <= crit_days <= warn_days (got %d and %d)", c.TLS.CritDays, c.TLS.WarnDays)
	}
	for i, t := range c.TLS.Deploy {
		if t.Name == "" {
			bad(fmt.Sprintf("tls.deploy[%d].name", i), "is required")
		}
		if t.Format != "pfx" && t.Format != "pem" {
			bad(fmt.Sprintf("tls.deploy[%d].format", i), "must be pfx or pem, not %q", t.Format)
		}
		if t.PFXProfile != "" && t.PFXProfile != "modern" && t.PFXProfile != "legacy" {
			bad(fmt.Sprintf("tls.deploy[%d].pfx_profile", i), "must be modern or legacy, not %q", t.PFXProfile)
		}
	}
	if c.TwoFA.Skew < 0 || c.TwoFA.Skew > 2 {
		bad("twofa.skew", "must be 0, 1 or 2 time steps (got %d)", c.TwoFA.Skew)
	}
	if c.TwoFA.MaxFailures < 1 || c.TwoFA.MaxFailures > 100 {
		bad("twofa.max_failures", "must be between 1 and 100 (got %d); NIST SP 800-63B allows at most 100", c.TwoFA.MaxFailures)
	}
	if c.TwoFA.Lockout <= 0 {
		bad("twofa.lockout", "must be a positive duration such as 15m")
	}
	if c.TwoFA.PendingTTL <= 0 {
		bad("twofa.pending_ttl", "must be a positive duration such as 24h")
	}
	if len(problems) == 0 {
		return nil
	}
	return &configError{msg: "invalid settings:\n  " + strings.Join(problems, "\n  ")}
}

// defaultHome is where cwsec keeps its files when neither --home nor
// CWSEC_HOME says: a system directory for root and for Windows services, the
// XDG data directory for other users.
func defaultHome(getenv func(string) string) string {
	if runtime.GOOS == "windows" {
		return filepath.Join(firstNonEmpty(getenv("ProgramData"), `C:\ProgramData`), "cwsec")
	}
	if os.Geteuid() == 0 {
		return "/var/lib/cwsec"
	}
	if xdg := getenv("XDG_DATA_HOME"); xdg != "" {
		return filepath.Join(xdg, "cwsec")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return filepath.Join(home, ".local", "share", "cwsec")
}

// configKey is one leaf key of the config schema: "twofa.max_failures" and the
// struct field path that holds it.
type configKey struct {
	name string
	path []int
	typ  reflect.Type
}

// configKeys lists the schema's leaf keys from the yaml tags of Config.
func configKeys(t reflect.Type, prefix string) []configKey {
	var keys []configKey
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := yamlName(f)
		if tag == "" {
			continue
		}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
			for _, k := range configKeys(f.Type, prefix+tag+".") {
				k.path = append([]int{i}, k.path...)
				keys = append(keys, k)
			}
			continue
		}
		keys = append(keys, configKey{name: prefix + tag, path: []int{i}, typ: f.Type})
	}
	return keys
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

func lookup(v reflect.Value, path []int) reflect.Value {
	for _, i := range path {
		v = v.Field(i)
	}
	return v
}

// envName is the environment variable for a key: twofa.max_failures is
// CWSEC_TWOFA_MAX_FAILURES.
func envName(key string) string {
	return "CWSEC_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// checkEnvValue refuses a CWSEC_* value that does not parse as its key's type,
// naming the variable, before viper turns it into a zero value or a riddle.
func checkEnvValue(key configKey, getenv func(string) string) error {
	raw := getenv(envName(key.name))
	if raw == "" {
		return nil
	}
	if err := parseScalar(key.typ, raw); err != nil {
		return &configError{msg: fmt.Sprintf("%s=%q: %s", envName(key.name), raw, err)}
	}
	return nil
}

// parseScalar checks that s reads as a value of type t, and says what was
// wanted when it does not.
func parseScalar(t reflect.Type, s string) error {
	switch {
	case t == reflect.TypeOf(time.Duration(0)):
		if _, err := time.ParseDuration(s); err != nil {
			return errors.New("want a duration such as 30s, 15m or 24h")
		}
	case t.Kind() == reflect.Int:
		if _, err := strconv.Atoi(s); err != nil {
			return errors.New("want a whole number")
		}
	case t.Kind() == reflect.Bool:
		if _, err := strconv.ParseBool(s); err != nil {
			return errors.New("want true or false")
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		return errors.New("lists of settings can only be set in the config file")
	}
	return nil
}

func flagString(flags *pflag.FlagSet, name string) string {
	if f := flags.Lookup(name); f != nil && f.Changed {
		return f.Value.String()
	}
	return ""
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

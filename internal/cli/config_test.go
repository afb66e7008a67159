package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// configFor resolves the config the way a run does, from flags, an
// environment map and an optional config file body.
func configFor(t *testing.T, args []string, env map[string]string, file string) (Config, error) {
	t.Helper()
	home := t.TempDir()
	if file != "" {
		if err := os.WriteFile(filepath.Join(home, "config.yaml"), []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	a := &app{io: &IOStreams{}, now: time.Now}
	root := &cobra.Command{Use: "cwsec"}
	a.addGlobalFlags(root)
	if err := root.ParseFlags(append([]string{"--home", home}, args...)); err != nil {
		t.Fatal(err)
	}
	return loadConfig(root.PersistentFlags())
}

// Each level of precedence is proven on its own: flag > environment > file > default.
func TestPrecedence(t *testing.T) {
	file := "lock_timeout: 2s\noutput: json\ntwofa:\n  max_failures: 7\n"
	env := map[string]string{"CWSEC_LOCK_TIMEOUT": "3s", "CWSEC_TWOFA_MAX_FAILURES": "8"}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		file string
		want time.Duration
	}{
		{"default", nil, nil, "", 5 * time.Second},
		{"file over default", nil, nil, file, 2 * time.Second},
		{"environment over file", nil, env, file, 3 * time.Second},
		{"flag over environment", []string{"--lock-timeout", "4s"}, env, file, 4 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := configFor(t, c.args, c.env, c.file)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.LockTimeout != c.want {
				t.Errorf("lock_timeout = %v, want %v", cfg.LockTimeout, c.want)
			}
		})
	}
	cfg, _ := configFor(t, nil, env, file)
	if cfg.TwoFA.MaxFailures != 8 || cfg.Output != "json" {
		t.Errorf("nested key from env / top-level key from file: max_failures %d output %q", cfg.TwoFA.MaxFailures, cfg.Output)
	}
	cfg, _ = configFor(t, []string{"-o", "text"}, nil, file)
	if cfg.Output != "text" {
		t.Errorf("-o text over file's json: got %q", cfg.Output)
	}
}

func TestDefaultsAndDerivedPaths(t *testing.T) {
	cfg, err := configFor(t, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(cfg.Store) != "cwsec.db" || filepath.Base(cfg.MasterKeyFile) != "master.key" ||
		filepath.Dir(cfg.Store) != cfg.Home || cfg.TwoFA.Issuer != "CAREWare" || cfg.TwoFA.Lockout != 15*time.Minute ||
		cfg.TwoFA.Skew != 1 || cfg.TLS.WarnDays != 30 || cfg.TLS.CritDays != 7 {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestConfigFileErrorsNameFileKeyAndLine(t *testing.T) {
	cases := []struct {
		name, file string
		want       []string
	}{
		{"unknown top-level key", "output: json\nlock_timout: 3s\n", []string{":2:", `"lock_timout"`, "lock_timeout"}},
		{"unknown nested key", "twofa:\n  skew: 1\n  max_failure: 3\n", []string{":3:", `"twofa.max_failure"`, "max_failures"}},
		{"wrong type int", "tls:\n  warn_days: soon\n", []string{":2:", "tls.warn_days", "whole number", `"soon"`}},
		{"wrong type duration", "twofa:\n  lockout: forever\n", []string{":2:", "twofa.lockout", "duration"}},
		{"list where a value is wanted", "output:\n  - json\n", []string{":2:", "output", "single value"}},
		{"value where a list is wanted", "tls:\n  endpoints: careware.example.org:443\n", []string{":2:", "tls.endpoints", "list"}},
		{"unknown key in a deploy target", "tls:\n  deploy:\n    - name: a\n      format: pem\n      pth: /x\n", []string{":5:", `"tls.deploy[].pth"`}},
		{"not YAML", "tls: [unclosed\n", []string{"not valid YAML", "line"}},
		{"out of range", "twofa:\n  skew: 5\n", []string{"twofa.skew", "0, 1 or 2"}},
		{"bad output", "output: xml\n", []string{"output", "text or json"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := configFor(t, nil, nil, c.file)
			var ce *configError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a configError", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestEnvironmentErrorsNameTheVariable(t *testing.T) {
	_, err := configFor(t, nil, map[string]string{"CWSEC_TWOFA_MAX_FAILURES": "many"}, "")
	if err == nil || !strings.Contains(err.Error(), "CWSEC_TWOFA_MAX_FAILURES") || !strings.Contains(err.Error(), "whole number") {
		t.Fatalf("err = %v", err)
	}
	_, err = configFor(t, nil, map[string]string{"CWSEC_TWOFA_MAX_FAILURES": "1000"}, "")
	if err == nil || !strings.Contains(err.Error(), "twofa.max_failures") {
		t.Fatalf("out-of-range env value: err = %v", err)
	}
}

func TestNamedConfigFileMustExist(t *testing.T) {
	_, err := configFor(t, []string{"--config", filepath.Join(t.TempDir(), "nope.yaml")}, nil, "")
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("err = %v, want the named file in the error", err)
	}
}

func TestFullContractConfigIsAccepted(t *testing.T) {
	file := `tls:
  server_names: [careware.example.org]
  roots: ""
  endpoints: ["careware.example.org:443"]
  warn_days: 30
  crit_days: 7
  deploy:
    - name: careware
      format: pfx
      path: /opt/careware/server.pfx
      password_file: /etc/cwsec/pfx.pass
      pfx_profile: modern
      reload: "systemctl restart careware"
      verify_endpoint: "127.0.0.1:443"
twofa:
  issuer: CAREWare
  skew: 1
  max_failures: 5
  lockout: 15m
  pending_ttl: 24h
`
	cfg, err := configFor(t, nil, map[string]string{"CWSEC_TLS_ENDPOINTS": "a:443,b:443"}, file)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.TLS.Deploy) != 1 || cfg.TLS.Deploy[0].VerifyEndpoint != "127.0.0.1:443" || cfg.TLS.ServerNames[0] != "careware.example.org" {
		t.Errorf("deploy/server_names not read: %+v", cfg.TLS)
	}
	if len(cfg.TLS.Endpoints) != 2 || cfg.TLS.Endpoints[1] != "b:443" {
		t.Errorf("CWSEC_TLS_ENDPOINTS did not override the file: %v", cfg.TLS.Endpoints)
	}
}

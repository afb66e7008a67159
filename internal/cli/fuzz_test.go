package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzConfigYAML: any config file is accepted or refused with a located
// error; the schema walk never panics.
func FuzzConfigYAML(f *testing.F) {
	for _, seed := range []string{
		"",
		"output: json\n",
		"tls:\n  warn_days: 30\n  deploy:\n    - name: a\n      format: pem\n",
		"twofa:\n  lockout: 15m\n  max_failures: [1]\n",
		"tls: [unclosed\n",
		"? complex\n: key\n",
		"a: &x 1\nb: *x\n",
		"twofa: !!binary aGVsbG8=\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkConfigYAML(data, reflect.TypeOf(Config{})); err != nil && err.msg == "" {
			t.Fatal("an error without a message")
		}
	})
}

// FuzzReadBatch: any CSV file gives rows or a reasoned refusal.
func FuzzReadBatch(f *testing.F) {
	for _, seed := range []string{
		"alice\nbob,Clinic\n",
		"user,issuer\n# comment\ncarol\n",
		"\"unterminated\n",
		"a,b,c\n",
		"\xff\xfe\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "batch.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		rows, problems, err := readBatch(path, "CAREWare", "")
		if err == nil && len(rows) == 0 && len(problems) == 0 {
			t.Fatal("no rows, no problems and no error")
		}
	})
}

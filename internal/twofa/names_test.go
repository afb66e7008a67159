package twofa

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestValidateNames(t *testing.T) {
	tests := []struct {
		name, in string
		why      string // "" means valid
	}{
		{"plain", "alice", ""},
		{"email", "alice@example.org", ""},
		{"inner space", "Alice Smith", ""},
		{"accented", "Zoë Müller", ""},
		{"CJK", "山田太郎", ""},
		{"exactly 64", strings.Repeat("a", 64), ""},
		{"64 multibyte", strings.Repeat("é", 64), ""},
		{"empty", "", "empty"},
		{"colon", "CAREWare:alice", "colon"},
		{"leading colon", ":alice", "colon"},
		{"NUL", "ali\x00ce", "control character"},
		{"newline", "alice\nbob", "control character"},
		{"tab", "alice\tbob", "control character"},
		{"DEL", "alice\x7f", "control character"},
		{"C1 control", "alice\u0085", "control character"},
		{"escape sequence", "\x1b[31malice", "control character"},
		{"bidi override", "alice\u202egnp.exe", "invisible"},
		{"zero width space", "ali\u200bce", "invisible"},
		{"line separator", "alice\u2028", "invisible"},
		{"invalid UTF-8", "alice\xff", "UTF-8"},
		{"truncated UTF-8", "Zo\xc3", "UTF-8"},
		{"leading space", " alice", "begins with a space"},
		{"trailing space", "alice ", "ends with a space"},
		{"trailing no-break space", "alice\u00a0", "ends with a space"},
		{"65 characters", strings.Repeat("a", 65), "65 characters"},
		{"65 multibyte", strings.Repeat("é", 65), "65 characters"},
	}
	for _, tt := range tests {
		for field, validate := range map[string]func(string) error{"account": ValidateAccount, "issuer": ValidateIssuer} {
			t.Run(field+"/"+tt.name, func(t *testing.T) {
				err := validate(tt.in)
				if tt.why == "" {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				if !errors.Is(err, ErrInvalidName) {
					t.Fatalf("err = %v; want ErrInvalidName", err)
				}
				var ne *NameError
				if !errors.As(err, &ne) || ne.Field != field {
					t.Errorf("err = %#v; want a *NameError for %s", err, field)
				}
				if !strings.Contains(err.Error(), tt.why) {
					t.Errorf("err = %q; want it to say %q", err, tt.why)
				}
			})
		}
	}
}

func TestKeyURI(t *testing.T) {
	secret := []byte("12345678901234567890")
	tests := []struct {
		issuer, account, want string
	}{
		{"CAREWare", "alice", "otpauth://totp/CAREWare:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=CAREWare&algorithm=SHA1&digits=6&period=30"},
		{"CAREWare Clinic", "Alice Smith", "otpauth://totp/CAREWare%20Clinic:Alice%20Smith?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=CAREWare%20Clinic&algorithm=SHA1&digits=6&period=30"},
		{"A&B=C+D", "alice@example.org", "otpauth://totp/A%26B%3DC%2BD:alice@example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=A%26B%3DC%2BD&algorithm=SHA1&digits=6&period=30"},
		{"Clinic/Ryan White", "zoë?#%", "otpauth://totp/Clinic%2FRyan%20White:zo%C3%AB%3F%23%25?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Clinic%2FRyan%20White&algorithm=SHA1&digits=6&period=30"},
	}
	for _, tt := range tests {
		got, err := KeyURI(tt.issuer, tt.account, secret)
		if err != nil {
			t.Fatalf("KeyURI(%q, %q): %v", tt.issuer, tt.account, err)
		}
		if got != tt.want {
			t.Errorf("KeyURI(%q, %q)\n got %s\nwant %s", tt.issuer, tt.account, got, tt.want)
		}
		// A standard parser must read back exactly the names we put in.
		u, err := url.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		label := strings.TrimPrefix(u.Path, "/")
		if label != tt.issuer+":"+tt.account || u.Host != "totp" || u.Scheme != "otpauth" {
			t.Errorf("parsed back scheme %q host %q label %q", u.Scheme, u.Host, label)
		}
		q := u.Query()
		if q.Get("issuer") != tt.issuer || q.Get("secret") != EncodeSecret(secret) {
			t.Errorf("parsed back query %v", q)
		}
		if strings.Contains(got, "+") && !strings.Contains(tt.issuer+tt.account, "+") {
			t.Errorf("URI %s uses '+'", got)
		}
	}
}

func TestKeyURIRefuses(t *testing.T) {
	good := make([]byte, SecretBytes)
	tests := []struct {
		name, issuer, account string
		secret                []byte
		want                  error
	}{
		{"colon in issuer", "CARE:Ware", "alice", good, ErrInvalidName},
		{"colon in account", "CAREWare", "a:lice", good, ErrInvalidName},
		{"empty account", "CAREWare", "", good, ErrInvalidName},
		{"empty issuer", "", "alice", good, ErrInvalidName},
		{"short secret", "CAREWare", "alice", make([]byte, 10), ErrInvalidSecret},
		{"no secret", "CAREWare", "alice", nil, ErrInvalidSecret},
	}
	for _, tt := range tests {
		if got, err := KeyURI(tt.issuer, tt.account, tt.secret); !errors.Is(err, tt.want) {
			t.Errorf("%s: KeyURI = %q, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

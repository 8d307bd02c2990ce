package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/descope-harness/harness/mockidp"
)

// serveConfig is the serve command's configuration. Each field has a flag
// and an environment twin (MOCKIDP_ + the flag name in upper case, dashes as
// underscores); a flag wins over its variable.
type serveConfig struct {
	Addr            string
	PublicURL       string
	Project         string
	AdminToken      string
	InsecureListen  bool
	KeyFiles        string
	RotateEvery     time.Duration
	LogFormat       string
	LogLevel        string
	ReadTimeout     time.Duration
	ReadHeader      time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	MaxHeaderBytes  int
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	TLS             bool
	TLSCert         string
	TLSKey          string
	TLSCAOut        string
	TLSHosts        string
	CORSOrigins     []string
}

// option describes one flag: its name, default, usage, and where it goes.
type option struct {
	name, def, usage string
	set              func(string) error
}

func envName(flagName string) string {
	return "MOCKIDP_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (c *serveConfig) options() []option {
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	dur := func(p *time.Duration) func(string) error {
		return func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("%q is not a duration like 30s", v)
			}
			*p = d
			return nil
		}
	}
	boolean := func(p *bool) func(string) error {
		return func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*p = b
			return nil
		}
	}
	integer := func(p *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return fmt.Errorf("%q is not a positive whole number", v)
			}
			*p = n
			return nil
		}
	}
	int64v := func(p *int64) func(string) error {
		return func(v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return fmt.Errorf("%q is not a positive whole number", v)
			}
			*p = n
			return nil
		}
	}
	return []option{
		{"addr", "127.0.0.1:8080", "listen address (host:port)", str(&c.Addr)},
		{"public-url", "", "base of every issuer and URL, e.g. http://mockidp:8080 (default: from each request)", str(&c.PublicURL)},
		{"project", "", "project file (YAML); default: the embedded fixtures/project.yaml", str(&c.Project)},
		{"admin-token", "", "bearer token the /_mock/ control plane requires (except health)", str(&c.AdminToken)},
		{"insecure-listen", "false", "allow a non-loopback listen address without an admin token", boolean(&c.InsecureListen)},
		{"key-files", "", "comma-separated RSA private key PEM files (override the project's pem_files)", str(&c.KeyFiles)},
		{"rotate-every", "", "scheduled key rotation interval, or never (overrides the project's keys.rotate_every)", func(v string) error {
			if v == "never" {
				c.RotateEvery = -1
				return nil
			}
			return dur(&c.RotateEvery)(v)
		}},
		{"log-format", "text", "log format: text or json", str(&c.LogFormat)},
		{"log-level", "info", "log level: debug, info, warn or error", str(&c.LogLevel)},
		{"read-timeout", "30s", "HTTP server read timeout", dur(&c.ReadTimeout)},
		{"read-header-timeout", "5s", "HTTP server read-header timeout", dur(&c.ReadHeader)},
		{"write-timeout", "30s", "HTTP server write timeout", dur(&c.WriteTimeout)},
		{"idle-timeout", "120s", "HTTP server idle timeout", dur(&c.IdleTimeout)},
		{"max-header-bytes", "65536", "largest request header block accepted", integer(&c.MaxHeaderBytes)},
		{"max-body-bytes", "65536", "largest request body accepted", int64v(&c.MaxBodyBytes)},
		{"cors-origins", "", `comma-separated browser origins allowed to call the Descope surface (exact origins, "loopback", "*" or "none"; replaces the project's cors.allowed_origins; default loopback origins on any port)`, func(v string) error {
			c.CORSOrigins = nil
			for _, o := range splitList(v) {
				if err := mockidp.CheckOrigin(o); err != nil {
					return err
				}
				c.CORSOrigins = append(c.CORSOrigins, o)
			}
			return nil
		}},
		{"shutdown-timeout", "10s", "how long graceful shutdown waits for in-flight requests", dur(&c.ShutdownTimeout)},
		{"tls", "false", "serve HTTPS with a CA and certificate generated at start (kept in memory; the CA at GET /_mock/ca.pem)", boolean(&c.TLS)},
		{"tls-ca-out", "", "with --tls: write the generated CA's certificate (PEM) to this file, for clients to trust", str(&c.TLSCAOut)},
		{"tls-hosts", "", "with --tls: comma-separated extra host names and IPs for the certificate (localhost, 127.0.0.1, ::1, the listen and public URL hosts are always in it)", str(&c.TLSHosts)},
		{"tls-cert", "", "serve HTTPS with your own certificate: PEM file, the certificate then its intermediates (needs --tls-key)", str(&c.TLSCert)},
		{"tls-key", "", "private key (PEM, unencrypted) of --tls-cert", str(&c.TLSKey)},
	}
}

// flagValue adapts an option to flag.Value.
type flagValue struct {
	o   option
	val string
}

func (f *flagValue) String() string     { return f.val }
func (f *flagValue) Set(v string) error { f.val = v; return f.o.set(v) }

// IsBoolFlag lets a boolean option stand alone ("--insecure-listen"), as
// flag.Bool does. Boolean options are those whose default is true or false.
func (f *flagValue) IsBoolFlag() bool { return f.o.def == "true" || f.o.def == "false" }

// parseServe reads defaults, then the environment, then flags.
func parseServe(args []string, getenv func(string) string, stderr io.Writer) (*serveConfig, error) {
	c := &serveConfig{}
	fs := flag.NewFlagSet("mockidp serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	// Help is not a mistake: serve prints it to stdout (printHelp).
	fs.Usage = func() {}
	for _, o := range c.options() {
		if o.def != "" {
			if err := o.set(o.def); err != nil {
				panic("default of --" + o.name + ": " + err.Error())
			}
		}
		if v := getenv(envName(o.name)); v != "" {
			if err := o.set(v); err != nil {
				return nil, fmt.Errorf("%s: %w", envName(o.name), err)
			}
		}
		fs.Var(&flagValue{o: o, val: o.def}, o.name, o.usage+" ["+envName(o.name)+"]")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		printFlags(fs)
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return nil, fmt.Errorf("--log-format (MOCKIDP_LOG_FORMAT): %q is not text or json", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return nil, fmt.Errorf("--log-level (MOCKIDP_LOG_LEVEL): %q is not debug, info, warn or error", c.LogLevel)
	}
	if c.PublicURL != "" {
		if err := mockidp.CheckPublicURL(c.PublicURL); err != nil {
			return nil, fmt.Errorf("--public-url (MOCKIDP_PUBLIC_URL): %w", err)
		}
	}
	if err := c.checkTLS(); err != nil {
		return nil, err
	}
	if c.RotateEvery > 0 && c.RotateEvery < time.Second {
		return nil, fmt.Errorf("--rotate-every (MOCKIDP_ROTATE_EVERY): must be at least 1s")
	}
	return c, nil
}

// errHelp is returned when help was asked for: exit status 0.
var errHelp = errors.New("help requested")

// parseFlags parses a subcommand's flags: help goes to stdout and is no
// error (errHelp); a mistake prints the flags to stderr (usageError).
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		printFlags(fs)
		return errHelp
	case err != nil:
		printFlags(fs)
		return usageError{err}
	}
	return nil
}

// printFlags prints a flag set's flags to its output.
func printFlags(fs *flag.FlagSet) {
	fmt.Fprintf(fs.Output(), "Usage of %s:\n", fs.Name())
	fs.PrintDefaults()
}

// printHelp prints the commands and the serve flags.
func printHelp(w io.Writer) {
	fmt.Fprint(w, usage)
	fs := flag.NewFlagSet("mockidp serve", flag.ContinueOnError)
	fs.SetOutput(w)
	for _, o := range (&serveConfig{}).options() {
		fs.Var(&flagValue{o: o, val: o.def}, o.name, o.usage+" ["+envName(o.name)+"]")
	}
	fmt.Fprint(w, "\nFlags of serve; each has an environment twin, in brackets (a flag wins over its variable):\n")
	fs.PrintDefaults()
}

// usageError is a command-line mistake: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

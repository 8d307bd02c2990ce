package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/descope-harness/harness/mockidp"
)

// apiEnv prints, as NAME=value lines, the environment bin/api needs to
// accept every token a mock serving the project at --url issues
// (mockidp.Project.Trust): scripts/run.sh starts the API with it, so the
// project file is read by the mock's own parser, never by sed.
func apiEnv(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mockidp api-env", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", defaultURL(getenv), "base URL the mock is (or will be) served at [MOCKIDP_URL]")
	projectFile := fs.String("project", getenv("MOCKIDP_PROJECT"), "project file (YAML); default: the embedded fixtures/project.yaml [MOCKIDP_PROJECT]")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if err := mockidp.CheckPublicURL(*base); err != nil {
		return usageError{fmt.Errorf("api-env: --url (MOCKIDP_URL) %w", err)}
	}
	project, err := loadProject(*projectFile)
	if err != nil {
		return err
	}
	trust := project.Trust(*base)
	fmt.Fprintf(stdout, "DESCOPE_PROJECT_ID=%s\nDISCOVERY_URL=%s\nEXTRA_ISSUERS=%s\n",
		trust.ProjectID, trust.DiscoveryURL, strings.Join(trust.ExtraIssuers, ","))
	return nil
}

// loadProject is the project file's project, or the embedded one for "".
func loadProject(file string) (*mockidp.Project, error) {
	if file == "" {
		return mockidp.DefaultProject(), nil
	}
	return mockidp.LoadProject(file)
}

// clients prints the project's clients, one "ID SECRET" line each in the
// file's order (IDs hold no spaces; the secret is the rest of the line):
// scripts/run.sh prints its example commands for the project it starts
// from this, the mock's own parse of the file.
func clients(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mockidp clients", flag.ContinueOnError)
	fs.SetOutput(stderr)
	projectFile := fs.String("project", getenv("MOCKIDP_PROJECT"), "project file (YAML); default: the embedded fixtures/project.yaml [MOCKIDP_PROJECT]")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	project, err := loadProject(*projectFile)
	if err != nil {
		return err
	}
	for _, c := range project.Clients {
		fmt.Fprintf(stdout, "%s %s\n", c.ID, c.Secret)
	}
	return nil
}

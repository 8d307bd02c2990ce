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
	project := mockidp.DefaultProject()
	if *projectFile != "" {
		var err error
		if project, err = mockidp.LoadProject(*projectFile); err != nil {
			return err
		}
	}
	trust := project.Trust(*base)
	fmt.Fprintf(stdout, "DESCOPE_PROJECT_ID=%s\nDISCOVERY_URL=%s\nEXTRA_ISSUERS=%s\n",
		trust.ProjectID, trust.DiscoveryURL, strings.Join(trust.ExtraIssuers, ","))
	return nil
}

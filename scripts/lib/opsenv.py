"""What scripts/deploy, scripts/put-secrets and scripts/set-webhook share: the
operator's .env (read by python-dotenv, as the bot reads it), samconfig.toml,
the one rule that picks the stack and the region, and recycling the
functions after the secret changed.

    python scripts/lib/opsenv.py resolve [--stack NAME] [--region REGION]

prints "STACK REGION" (scripts/deploy resolves them once and passes both to
every step).
"""

import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_STACK = "vpn-shop"


def die(tool, msg):
    print(f"{tool}: {msg}", file=sys.stderr)
    sys.exit(1)


def read_samconfig(root=ROOT):
    """The [default] table of samconfig.toml ({} when absent or unreadable)."""
    path = os.path.join(root, "samconfig.toml")
    try:
        try:
            import tomllib  # Python 3.11+
            with open(path, "rb") as f:
                data = tomllib.load(f)
        except ImportError:  # older Python: aws-sam-cli brings tomlkit
            import tomlkit
            with open(path, encoding="utf-8") as f:
                data = tomlkit.parse(f.read()).unwrap()
    except Exception:
        return {}
    return data.get("default", {}) or {}


def parse_env_file(path):
    """NAME -> value of an operator's .env, exactly as python-dotenv reads it
    (bare names without a value are left out); {} when there is no file."""
    if not path or not os.path.isfile(path):
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def stack_and_region(tool, stack=None, region=None, root=ROOT):
    """The stack and region every step uses: the option, else (region only)
    AWS_REGION, AWS_DEFAULT_REGION, else samconfig.toml, else the default
    stack name; no region at all is an error."""
    cfg = read_samconfig(root)
    deploy = cfg.get("deploy", {}).get("parameters", {})
    glob = cfg.get("global", {}).get("parameters", {})
    stack = stack or deploy.get("stack_name") or glob.get("stack_name") or DEFAULT_STACK
    region = (region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
              or deploy.get("region") or glob.get("region"))
    if not region:
        die(tool, "no region: pass --region, set AWS_REGION, or set region in samconfig.toml")
    return stack, region


def recycle_functions(tool, stack, region, version=None):
    """Makes every function of the stack start fresh instances, so none keeps
    a secret it read at its cold start: the SECRET_VERSION variable of each
    function is set (an environment change replaces the warm instances).
    Returns the functions changed."""
    import boto3

    version = version or str(int(time.time()))
    cfn = boto3.client("cloudformation", region_name=region)
    lam = boto3.client("lambda", region_name=region)
    names = []
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack):
        for r in page["StackResourceSummaries"]:
            if r["ResourceType"] == "AWS::Lambda::Function" and r.get("PhysicalResourceId"):
                names.append(r["PhysicalResourceId"])
    for name in sorted(names):
        conf = lam.get_function_configuration(FunctionName=name)
        variables = dict((conf.get("Environment") or {}).get("Variables") or {})
        variables["SECRET_VERSION"] = version
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": variables})
    return sorted(names)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="opsenv.py")
    sub = parser.add_subparsers(dest="command", required=True)
    resolve = sub.add_parser("resolve")
    resolve.add_argument("--stack", default="")
    resolve.add_argument("--region", default="")
    args = parser.parse_args()
    s, r = stack_and_region("deploy", args.stack or None, args.region or None)
    print(s, r)

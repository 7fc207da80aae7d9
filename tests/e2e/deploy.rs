//! `scripts/deploy` against stub `sam` and `aws` executables placed first on
//! PATH (they record their arguments) and moto for the AWS calls the scripts
//! make themselves: with `AWS_REGION` different from `samconfig.toml`, the
//! stack, the secret and the functions are all in one region; a changed
//! secret recycles every function, an unchanged one does not.

use local_stack::moto::{Moto, moto_python};
use std::path::Path;
use std::process::Command;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
/// Not samconfig.toml's region (eu-central-1).
const REGION: &str = "us-west-2";

/// What `sam deploy` does, in moto: the stack (one function) and its secret, in the region it was given.
const FAKE_DEPLOY: &str = r#"
import boto3, json, sys
args = sys.argv[1:]
def opt(name):
    return args[args.index(name) + 1] if name in args else None
stack, region = opt("--stack-name"), opt("--region")
if not stack or not region:
    sys.exit("sam deploy without --stack-name and --region")
arn = boto3.client("secretsmanager", region_name=region).create_secret(Name=f"{stack}-Secret", SecretString="{}")["ARN"]
template = {
    "Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
        "TelegramFunction": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "provided.al2023", "Handler": "bootstrap", "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"ZipFile": "stub"}, "Environment": {"Variables": {"TABLE_NAME": "t"}}}},
    },
    "Outputs": {"SecretArn": {"Value": arn}},
}
boto3.client("cloudformation", region_name=region).create_stack(StackName=stack, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
"#;

/// Prints, as JSON, where things are in moto: stacks per region, the secret's names, the function's SECRET_VERSION.
const INSPECT: &str = r#"
import boto3, json
out = {}
for region in ["us-west-2", "eu-central-1"]:
    cfn = boto3.client("cloudformation", region_name=region)
    out[region] = [s["StackName"] for s in cfn.describe_stacks()["Stacks"]]
sm = boto3.client("secretsmanager", region_name="us-west-2")
arn = sm.list_secrets()["SecretList"][0]["ARN"]
out["secret"] = sorted(json.loads(sm.get_secret_value(SecretId=arn)["SecretString"]))
lam = boto3.client("lambda", region_name="us-west-2")
f = lam.list_functions()["Functions"][0]
out["version"] = (f.get("Environment") or {}).get("Variables", {}).get("SECRET_VERSION")
print(json.dumps(out))
"#;

fn stub(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/usr/bin/env bash\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

struct Env {
    dir: std::path::PathBuf,
    endpoint: String,
}

impl Env {
    fn command(&self, program: &str) -> Command {
        // The venv as scripts/lib/venv.sh names it, so that it does not put itself before the stubs.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let venv_bin = root.join(".venv").join("bin");
        let path = format!(
            "{}:{}:{}",
            self.dir.join("bin").display(),
            venv_bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut c = Command::new(program);
        c.current_dir(REPO)
            .env("PATH", path)
            .env("STUB_RECORD", self.dir.join("calls.log"))
            .env("STUB_DIR", &self.dir)
            .env("STUB_PYTHON", moto_python())
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", REGION)
            .env_remove("AWS_DEFAULT_REGION")
            .env_remove("AWS_PROFILE");
        c
    }

    fn run(&self, program: &str, args: &[&str]) -> String {
        let out = self.command(program).args(args).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{program} {args:?} failed:\n{text}");
        text
    }

    fn inspect(&self) -> serde_json::Value {
        let out = self.run(&moto_python(), &["-c", INSPECT]);
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_uses_one_region_and_a_changed_secret_recycles_the_functions() {
    let moto = Moto::start().await.expect("moto");
    let dir = std::env::temp_dir().join(format!("deploy-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::write(dir.join("fake_deploy.py"), FAKE_DEPLOY).unwrap();
    stub(
        &dir.join("bin"),
        "sam",
        r#"echo "sam $*" >> "$STUB_RECORD"
if [ "$1" = deploy ]; then exec "$STUB_PYTHON" "$STUB_DIR/fake_deploy.py" "$@"; fi"#,
    );
    stub(
        &dir.join("bin"),
        "aws",
        r#"echo "aws $*" >> "$STUB_RECORD""#,
    );
    let env_file = dir.join("operator.env");
    std::fs::write(
        &env_file,
        "BOT_TOKEN=123456:first-token\nWEBHOOK_SECRET_TOKEN=hook_1\nADMIN_IDS=1\nREQUIRED_CHANNEL_ID=   # none yet\n",
    )
    .unwrap();
    let env = Env {
        dir: dir.clone(),
        endpoint: moto.endpoint.clone(),
    };
    let deploy = format!("{REPO}/scripts/deploy");
    let put_secrets = format!("{REPO}/scripts/put-secrets");
    let env_path = env_file.to_str().unwrap();

    let out = env.run(
        &deploy,
        &["--skip-build", "--env-file", env_path, "--no-webhook"],
    );
    assert!(
        out.contains(&format!("stack vpn-shop in {REGION}")),
        "{out}"
    );
    let calls = std::fs::read_to_string(dir.join("calls.log")).unwrap();
    let sam_deploy: Vec<&str> = calls
        .lines()
        .filter(|l| l.starts_with("sam deploy"))
        .collect();
    assert_eq!(sam_deploy.len(), 1, "{calls}");
    assert!(
        sam_deploy[0].contains(&format!("--region {REGION}"))
            && sam_deploy[0].contains("--stack-name vpn-shop"),
        "{calls}"
    );
    assert!(
        !calls.contains("eu-central-1"),
        "one region throughout: {calls}"
    );
    let state = env.inspect();
    assert_eq!(state[REGION], serde_json::json!(["vpn-shop"]));
    assert_eq!(state["eu-central-1"], serde_json::json!([]));
    assert_eq!(
        state["secret"],
        serde_json::json!(["BOT_TOKEN", "WEBHOOK_SECRET_TOKEN"])
    );
    let first = state["version"]
        .as_str()
        .expect("recycled after the first write")
        .to_owned();

    // The same values again: nothing written, nothing recycled.
    let out = env.run(&put_secrets, &[env_path]);
    assert!(out.contains("unchanged"), "{out}");
    assert_eq!(env.inspect()["version"].as_str(), Some(first.as_str()));

    // A new webhook secret: every function is recycled.
    std::fs::write(
        &env_file,
        "BOT_TOKEN=123456:first-token\nWEBHOOK_SECRET_TOKEN=hook_2\n",
    )
    .unwrap();
    let out = env.run(&put_secrets, &[env_path]);
    assert!(out.contains("recycled:  1 functions"), "{out}");
    let second = env.inspect()["version"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    let _ = std::fs::remove_dir_all(&dir);
}

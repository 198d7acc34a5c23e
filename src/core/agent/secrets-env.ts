// Keeping secrets out of everything the app writes. The API key must never reach a transcript, a log, the
// journal or an error message; an external agent's output may echo its environment. Values are redacted
// wherever they appear, whatever produced the text.

/** Variable names whose values are treated as secrets. */
const SECRET_NAME = /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|AUTH)(?:_|$)/i;
/** Shorter values are too likely to occur by chance (e.g. "1", "true") to be redacted everywhere. */
const MIN_SECRET_LENGTH = 8;

export const REDACTED = '[redacted]';

/** The values of secret-looking variables of an environment, longest first. */
export function secretValuesOf(env: NodeJS.ProcessEnv, extra: readonly (string | null | undefined)[] = []): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= MIN_SECRET_LENGTH && SECRET_NAME.test(name)) values.add(value);
  }
  for (const value of extra) if (value && value.length >= MIN_SECRET_LENGTH) values.add(value);
  // Longest first, so a secret that contains another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length);
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret && out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** A deep copy of JSON-like data with every string (keys included) redacted. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v as Record<string, unknown>)) out[redactText(k, secrets)] = walk(inner);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** Variables every command the app runs for a project may see: the basics of a shell and of a locale. */
const PASSED_NAMES = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TERM', 'COLORTERM', 'TZ', 'VIRTUAL_ENV', 'LD_LIBRARY_PATH',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy',
  'MPLBACKEND', 'CC', 'CXX',
]);
/** ...and the families that training reads: GPUs, Python and its package managers, model caches, thread counts. */
const PASSED_PREFIXES = [
  'LC_', 'CUDA_', 'NVIDIA_', 'NCCL_', 'ROCR_', 'HIP_', 'HSA_', 'ROCM_', 'PYTHON', 'UV_', 'PIP_', 'CONDA_', 'PYENV_',
  'HF_', 'HUGGINGFACE_', 'TRANSFORMERS_', 'TORCH', 'TRITON_', 'XLA_', 'JAX_', 'TF_', 'WANDB_', 'XDG_',
  'OMP_', 'MKL_', 'OPENBLAS_', 'NUMEXPR_', 'KMP_', 'AUTORESEARCH_',
];
/** Names that look like secrets: never passed unless sandbox.passEnv (or AUTORESEARCH_PASS_ENV) names them. */
const SECRET_LOOKING = /(?:_KEY|_TOKEN)$|SECRET|PASSWORD|PASSWD|CREDENTIAL/i;

/** The names a user passes on: the project's sandbox.passEnv and the app's own AUTORESEARCH_PASS_ENV (comma- or space-separated). */
function passedOn(base: NodeJS.ProcessEnv, passEnv: readonly string[]): Set<string> {
  return new Set([...passEnv, ...(base.AUTORESEARCH_PASS_ENV ?? '').split(/[\s,]+/)].filter(Boolean));
}

/**
 * The environment for the commands the app runs for a project (trainer, setup, guard, command agent): an
 * allowlist of the app's environment, so a key exported in the user's shell (OPENAI_API_KEY, HF_TOKEN, a
 * database URL) never reaches agent-written code. Secret-looking names go even where a family is allowed
 * (HF_TOKEN, WANDB_API_KEY); `passEnv` names what the user hands on anyway, whatever its name.
 */
export function sandboxEnv(base: NodeJS.ProcessEnv, passEnv: readonly string[] = []): Record<string, string> {
  const named = passedOn(base, passEnv);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined) continue;
    const allowed = (PASSED_NAMES.has(k) || PASSED_PREFIXES.some((p) => k.startsWith(p))) && !SECRET_LOOKING.test(k);
    if (allowed || named.has(k)) env[k] = v;
  }
  return env;
}

/**
 * An environment for an external agent CLI: the same allowlist as a trainer's, plus the app's own variables.
 * A project's config chooses the command, so the Anthropic or OpenAI key goes to it only where the user named
 * it in sandbox.passEnv (`claude -p` with an API key); a CLI that logs in by itself (~/.claude) needs none.
 */
export function agentEnv(base: NodeJS.ProcessEnv, extra: Readonly<Record<string, string>>, passEnv: readonly string[] = []): NodeJS.ProcessEnv {
  return { ...sandboxEnv(base, passEnv), ...extra };
}

import { describe, expect, it } from 'vitest';
import { agentEnv, redactDeep, redactText, REDACTED, secretValuesOf } from '../../src/core/agent/secrets-env.js';

describe('secret values of an environment', () => {
  it('picks keys, tokens, secrets and passwords of useful length, longest first', () => {
    const env = {
      ANTHROPIC_API_KEY: 'sk-ant-api03-abcdefgh',
      GITHUB_TOKEN: 'ghp_1234567890',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
      DB_PASSWORD: 'hunter22hunter',
      OPENAI_API_KEY: 'short',
      PATH: '/usr/bin:/bin:/usr/local/bin',
      KEYBOARD: 'us-international',
      HOME: '/home/someone',
    };
    const values = secretValuesOf(env);
    expect(values).toEqual(['sk-ant-api03-abcdefgh', 'wJalrXUtnFEMI/K7MDENG', 'ghp_1234567890', 'hunter22hunter']);
  });

  it('adds explicit extra secrets', () => {
    expect(secretValuesOf({}, ['the-stored-key-123', null, 'tiny'])).toEqual(['the-stored-key-123']);
  });
});

describe('redaction', () => {
  it('replaces every occurrence, the longer secret first', () => {
    const secrets = secretValuesOf({}, ['abcdefgh12345678', 'abcdefgh']);
    expect(redactText('x abcdefgh12345678 y abcdefgh z abcdefgh', secrets)).toBe(`x ${REDACTED} y ${REDACTED} z ${REDACTED}`);
  });

  it('walks JSON-like data, keys included, without changing the input', () => {
    const input = { a: ['key=s3cr3t-value', 1, null, true], 's3cr3t-value': { deep: 'Bearer s3cr3t-value' } };
    const out = redactDeep(input, ['s3cr3t-value']);
    expect(out).toEqual({ a: [`key=${REDACTED}`, 1, null, true], [REDACTED]: { deep: `Bearer ${REDACTED}` } });
    expect(input.a[0]).toBe('key=s3cr3t-value');
    expect(JSON.stringify(out)).not.toContain('s3cr3t-value');
  });

  it('leaves text alone when there is no secret', () => {
    const input = { a: 'x' };
    expect(redactDeep(input, [])).toBe(input);
    expect(redactText('plain', ['', 'absent-secret'])).toBe('plain');
  });
});

describe('agent environment', () => {
  it('keeps what the CLI needs and adds the app\'s variables, but hands on a key only where passEnv names it (issue #20, attack 5)', () => {
    const env = agentEnv({ ANTHROPIC_API_KEY: 'k', PATH: '/bin' }, { AUTORESEARCH_PROMPT_FILE: '/tmp/p.md' });
    expect(env).toEqual({ PATH: '/bin', AUTORESEARCH_PROMPT_FILE: '/tmp/p.md' });
    const named = agentEnv({ ANTHROPIC_API_KEY: 'k', PATH: '/bin' }, {}, ['ANTHROPIC_API_KEY']);
    expect(named).toEqual({ ANTHROPIC_API_KEY: 'k', PATH: '/bin' });
  });
});

// The one redaction policy, on the forms named in the issues, and prose it must leave alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayUrl, redactCommand, redactText } from '../../../src/core/redact.js';

test('URLs lose userinfo (with or without a password) and secret query values', () => {
  assert.equal(displayUrl('http://admin:s3cret@127.0.0.1:9000/health'), 'http://***@127.0.0.1:9000/health');
  assert.equal(displayUrl('https://token@host/'), 'https://***@host/');
  assert.equal(displayUrl('http://h/x?token=abc&access_token=def&page=2'), 'http://h/x?token=***&access_token=***&page=2');
});

test('commands lose passwords in flags, assignments, mysql -p and curl -u', () => {
  assert.equal(redactCommand('PGPASSWORD=pw1234 pg_dump --password=hunter22 db'), 'PGPASSWORD=*** pg_dump --password=*** db');
  assert.equal(redactCommand('mysql -u root -pS3cretPw app'), 'mysql -u root -p*** app');
  assert.equal(redactCommand('curl -u admin:pw9 http://h/'), 'curl -u admin:*** http://h/');
  assert.equal(redactCommand('tool --token abcdef123 --verbose'), 'tool --token *** --verbose');
  assert.equal(redactCommand("curl -H 'Authorization: Bearer abcdefgh12345' http://h/"), "curl -H 'Authorization: Bearer ***' http://h/");
});

test('known secret values go, prose stays', () => {
  assert.equal(redactText('sent with tk_abcdef', ['tk_abcdef']), 'sent with ***');
  for (const prose of ['header Authorization: environment variable HOOK_AUTH is not set', 'exit 1 after 2 s', 'Basic checks passed', 'restart_cmd ran in /srv: ok']) assert.equal(redactText(prose), prose);
});

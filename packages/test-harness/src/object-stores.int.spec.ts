import { afterAll, expect, it } from 'vitest';
import { startAzurite, startS3rver } from './object-stores.js';

const handles: Array<{ stop(): Promise<void> }> = [];
afterAll(async () => {
  for (const h of handles) await h.stop();
});

it('starts s3rver on loopback; it answers the S3 API (ListBuckets)', async () => {
  const s3 = await startS3rver();
  handles.push(s3);
  const body = await (await fetch(s3.url)).text();
  expect(body).toContain('ListAllMyBucketsResult');
  await s3.stop();
  await expect(fetch(s3.url)).rejects.toThrow();
});

it('starts azurite (Blob) on loopback; it answers the Blob API', async () => {
  const azurite = await startAzurite();
  handles.push(azurite);
  const response = await fetch(`${azurite.url}?comp=list`);
  // Unauthenticated: refused, but by Azurite's Blob service (an XML error naming the account).
  expect(await response.text()).toMatch(/<Error>|EnumerationResults/);
  expect(azurite.connectionString).toContain(`BlobEndpoint=${azurite.url}`);
});

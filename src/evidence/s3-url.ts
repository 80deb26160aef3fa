// KEPT_EVIDENCE_URL, parsed at boot (src/config/env.ts) without loading the S3 client.

export interface S3Location {
  bucket: string
  /** Without leading or trailing slashes; '' for the bucket's root. */
  prefix: string
}

/** `s3://bucket/prefix` → its bucket and prefix; an error saying what is expected otherwise. */
export function parseS3Url(value: string): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(value.trim())
  if (!match) throw new Error('expected s3://bucket/prefix (or leave it unset to keep evidence in the data dir)')
  const bucket = match[1]!
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`"${bucket}" is not a bucket name: expected 3 to 63 lowercase letters, digits, dots or hyphens`)
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '')
  if (prefix.split('/').some((part) => part === '..' || part === '.')) throw new Error('expected a prefix without . or .. parts')
  return { bucket, prefix }
}

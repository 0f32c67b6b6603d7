// Container image references (`registry:5000/team/api:1.2.3`, `api@sha256:…`), checked before a
// workload's image is changed, so that a typo is refused rather than left crash-looping.

// The grammar of github.com/distribution/reference (reference.go), simplified: lowercase path
// components, an optional registry port, an optional tag, an optional sha256 digest.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REFERENCE = new RegExp(`^${COMPONENT}(?:\\.${COMPONENT})*(?::[0-9]+)?(?:/${COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);

/** Returns why `image` is not an image reference, or undefined when it is one. */
export function checkImageReference(image: string): string | undefined {
  if (image.length === 0) return 'The image is empty.';
  if (image.length > 512) return 'The image reference is longer than 512 characters.';
  if (!REFERENCE.test(image)) return `"${image.replace(/[^\x20-\x7e]/g, '?')}" is not an image reference (e.g. registry.example/team/api:1.2.3 or api@sha256:<64 hex>).`;
  return undefined;
}

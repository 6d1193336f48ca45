/**
 * A path a git tree can hold: relative, no empty, `.` or `..` segment (they would walk out of the repo in a
 * download URL or a key), no control characters (they cannot be part of a key), bounded length. Shared by every
 * source that lists a repository's files (the Hub, GitHub, MLflow artifacts).
 */
export function isRepoPath(path: string): boolean {
  if (path.length === 0 || path.length > 4096 || /[\u0000-\u001f\u007f]/.test(path)) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

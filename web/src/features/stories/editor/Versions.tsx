// The published versions of the draft's story, newest first (SPEC.md SW12). Restoring one asks once,
// then replaces the shared text with it: every co-author sees it as an edit, and can undo their own.
import { useEffect, useRef, useState } from 'react';

export interface VersionItem extends Record<string, unknown> {
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly content_html: string;
  readonly published_by_name: string;
  readonly published_ms: number;
}

export function Versions({
  versions,
  onRestore,
}: {
  versions: readonly VersionItem[];
  onRestore: (html: string) => void;
}) {
  const [asking, setAsking] = useState<string | null>(null);
  // Keyboard users stay in place: the question takes the pressed button's focus, and gives it back.
  const confirm = useRef<HTMLButtonElement>(null);
  const returnTo = useRef<string | null>(null);
  useEffect(() => {
    if (asking !== null) confirm.current?.focus();
    else if (returnTo.current !== null) {
      document.getElementById(`restore-${returnTo.current}`)?.focus();
      returnTo.current = null;
    }
  }, [asking]);
  if (versions.length === 0) return null;
  return (
    <section className="versions" aria-labelledby="versions-title" data-testid="versions">
      <h3 id="versions-title">Published versions</h3>
      <ol className="versions-list">
        {versions.map((version) => (
          <li key={version.id} data-testid="version" data-version={version.version}>
            <span>
              Version {version.version} · {version.title} · {version.published_by_name},{' '}
              <time dateTime={new Date(version.published_ms).toISOString()}>
                {new Date(version.published_ms).toLocaleString()}
              </time>
            </span>
            {asking === version.id ? (
              <span
                className="versions-confirm"
                role="group"
                aria-label={`Restore version ${version.version}?`}
              >
                Replace the text with version {version.version}?{' '}
                <button
                  type="button"
                  className="button button-primary"
                  ref={confirm}
                  onClick={() => {
                    setAsking(null);
                    onRestore(version.content_html);
                  }}
                >
                  Replace the text
                </button>
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => {
                    returnTo.current = version.id;
                    setAsking(null);
                  }}
                >
                  Keep the text
                </button>
              </span>
            ) : (
              <button
                type="button"
                id={`restore-${version.id}`}
                className="button button-secondary"
                onClick={() => setAsking(version.id)}
              >
                Restore version {version.version}
              </button>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

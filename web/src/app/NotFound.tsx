// A path this version of Hearth has no screen for: the shell stays, with a way home.
import { Link } from './router';

export function NotFound() {
  return (
    <section className="card" aria-labelledby="not-found-title">
      <h1 id="not-found-title" tabIndex={-1}>
        Nothing here yet
      </h1>
      <p>This page is not part of this version of Hearth.</p>
      <p>
        <Link to="/">Go to the home screen</Link>
      </p>
    </section>
  );
}

/** Sessions: being built (portal helper 1). */
export default function Page() {
  return <section><h1>Sessions</h1><p className="muted">Coming soon.</p></section>;
}

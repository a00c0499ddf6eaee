import { ERROR_CODES, type ErrorCode } from "@/lib/errors";

/** A full-page message for a known error code, with its next step. */
export function MessagePage({ code, detail }: { code: ErrorCode; detail?: string }) {
  const text = ERROR_CODES[code];
  return (
    <main>
      <section className="card error-page" role="alert" aria-labelledby="message-title">
        <h1 id="message-title">{text.title}</h1>
        <p>{text.message}</p>
        {detail ? <p>{detail}</p> : null}
        <p>
          <strong>What to do:</strong> {text.action}
        </p>
        <p className="muted">
          Error code: <code>{code}</code>
        </p>
      </section>
    </main>
  );
}

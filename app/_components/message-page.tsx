import Link from "next/link";
import { headers } from "next/headers";
import { ERROR_CODES, RESTARTABLE_CODES, type ErrorCode } from "@/lib/errors";
import { isFramed } from "@/lib/http/fetch-metadata";

/**
 * A full-page message for a known error code, with its next step. Outside a
 * frame it links to the start page; inside the EHR's frame it does not,
 * because a sign-in started there would not be tied to the chart around it.
 */
export async function MessagePage({ code, detail }: { code: ErrorCode; detail?: string }) {
  const text = ERROR_CODES[code];
  const framed = isFramed(await headers());
  return (
    <main>
      <section className="card error-page" role="alert" aria-labelledby="message-title">
        <h1 id="message-title">{text.title}</h1>
        <p>{text.message}</p>
        {detail ? <p>{detail}</p> : null}
        <p>
          <strong>What to do:</strong> {text.action}
        </p>
        {RESTARTABLE_CODES.has(code) && !framed ? (
          <p>
            <Link href="/">Go to the start page</Link>
          </p>
        ) : null}
        <p className="muted">
          Error code: <code>{code}</code>
        </p>
      </section>
    </main>
  );
}

import Link from "next/link";
import { getPractitionerUser } from "@/lib/sandbox/auth/users";

/** Top bar of the EHR simulator, with the practitioner who is signed in. */
export async function EhrHeader() {
  const practitioner = await getPractitionerUser();
  return (
    <header className="card" style={{ display: "flex", justifyContent: "space-between", alignItems: "center", gap: "1rem" }}>
      <Link href="/sandbox/ehr">
        <strong>Sandbox EHR</strong>
      </Link>
      <span>
        Signed in as <strong>{practitioner.name}</strong>
      </span>
    </header>
  );
}

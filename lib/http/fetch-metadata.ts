/** Return whether the browser loads this request into a frame, such as the EHR's (the `Sec-Fetch-Dest` request header). */
export function isFramed(headers: Headers): boolean {
  return headers.get("sec-fetch-dest") === "iframe";
}

// The smallest App Router app: the baseline of benchmark 3's bundle sizes.
export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}

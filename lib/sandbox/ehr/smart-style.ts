/**
 * The sandbox EHR's SMART style document: the properties of SMART App Launch
 * 2.2 "Styling", in the colours of the sandbox EHR pages.
 */
export const SANDBOX_SMART_STYLE = {
  color_background: "#edf2f7",
  color_error: "#b3261e",
  color_highlight: "#2b6cb0",
  color_modal_backdrop: "rgba(28, 36, 48, 0.5)",
  color_success: "#1e7b34",
  color_text: "#1c2430",
  dim_border_radius: "6px",
  dim_font_size: "15px",
  dim_spacing_size: "16px",
  font_family_body: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  font_family_heading: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
} as const;

/**
 * The report formats the API downloads, with their media types and file endings: the routes
 * and the OpenAPI document both read this list, so a format cannot be served undocumented.
 */
export const REPORT_FORMATS = ['json', 'pdf', 'csv', 'sarif', 'junit', 'md', 'policyreport'] as const;
export type ApiReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_MEDIA: Record<ApiReportFormat, { type: string; ending: string }> = {
  json: { type: 'application/json', ending: 'json' },
  pdf: { type: 'application/pdf', ending: 'pdf' },
  csv: { type: 'text/csv; charset=utf-8', ending: 'csv' },
  sarif: { type: 'application/sarif+json', ending: 'sarif' },
  junit: { type: 'application/xml', ending: 'junit.xml' },
  md: { type: 'text/markdown; charset=utf-8', ending: 'md' },
  policyreport: { type: 'application/yaml', ending: 'policyreport.yaml' },
};

/**
 * The report formats complyd writes, with their media types and file endings: the report
 * writer, the API's routes and its OpenAPI document all read this one list, so a format cannot
 * be written without being served, or served undocumented.
 */
export const REPORT_FORMATS = ['json', 'pdf', 'csv', 'sarif', 'junit', 'md', 'policyreport'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_MEDIA: Record<ReportFormat, { type: string; ending: string }> = {
  json: { type: 'application/json', ending: 'json' },
  pdf: { type: 'application/pdf', ending: 'pdf' },
  csv: { type: 'text/csv; charset=utf-8', ending: 'csv' },
  sarif: { type: 'application/sarif+json', ending: 'sarif' },
  junit: { type: 'application/xml', ending: 'junit.xml' },
  md: { type: 'text/markdown; charset=utf-8', ending: 'md' },
  policyreport: { type: 'application/yaml', ending: 'policyreport.yaml' },
};

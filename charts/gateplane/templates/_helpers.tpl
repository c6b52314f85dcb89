{{/*
Names are fixed rather than derived from the release: the controller name
gateplane.io/gateway-controller is cluster-wide, so one gateplane per cluster is all that can
work, and the operator refers to the ClusterRole gateplane-agent by name.
*/}}

{{- define "gateplane.labels" -}}
app.kubernetes.io/name: gateplane
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: gateplane
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "gateplane.operatorSelector" -}}
app.kubernetes.io/name: gateplane
app.kubernetes.io/component: operator
{{- end }}

{{- define "gateplane.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{#- The KPIs counted from the census in force (one row per pupil): not in kpi_records. -#}
{% macro census_kpi_ids() %}
    {{ return(["T1_SEN_SUPPORT_RATE", "T3_SUSPENSION_RATE_SEN", "T3_SUSPENSION_RATE_NO_SEN",
               "T3_PERSISTENT_ABSENCE_EHCP", "X_CENSUS_EHCP_MATCHED"]) }}
{% endmacro %}

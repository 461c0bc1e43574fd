package sample

import "trustcenter/shared/local/pdf"

const soc3Title = "SOC 3 Report"

func soc3() []pdf.Page {
	var d doc
	d.cover("SOC 3 – general use", []string{
		"SOC 3 Report",
		"Security, Availability and Confidentiality",
	}, "General use. This report may be shared freely.")
	d.p("A SOC 3 report is a general-use summary of a SOC 2 examination. It gives the service auditor's opinion " +
		"and management's assertion without the detailed description of controls, tests and results that the " +
		"restricted-use SOC 2 report contains. Customers who need that detail can request the SOC 2 Type II " +
		"report through the trust center at https://trust." + Domain + " under a non-disclosure agreement.")
	d.newPage()

	d.h1("Section 1. Independent Service Auditor's Report")
	d.p("To the Board of Directors and Management of Lumen Ledger, Inc.")
	d.h2("Scope")
	d.p("We examined management's assertion, presented in Section 2, that the controls within the " + System +
		" (the system) were effective throughout the period 1 October 2025 to 30 September 2026 to provide " +
		"reasonable assurance that Lumen Ledger's service commitments and system requirements were achieved " +
		"based on the trust services criteria relevant to security, availability and confidentiality " +
		"(the applicable trust services criteria) of the AICPA's Trust Services Criteria.")
	d.p("Lumen Ledger hosts the system with a third-party cloud infrastructure provider. Our examination did " +
		"not extend to the controls of that subservice organization (the carve-out method). Achieving some of " +
		"Lumen Ledger's commitments depends on controls at the provider that operate as Lumen Ledger expects.")
	d.h2("Responsibilities of Lumen Ledger")
	d.p("Lumen Ledger is responsible for its service commitments and system requirements, for designing, " +
		"implementing and operating effective controls within the system to achieve them, and for the " +
		"assertion in Section 2, including the completeness, accuracy and method of presentation of the assertion.")
	d.h2("Our responsibilities")
	d.p("Our responsibility is to express an opinion, based on our examination, on whether management's " +
		"assertion is fairly stated. We conducted our examination in accordance with attestation standards " +
		"established by the AICPA (AT-C section 205). Those standards require that we plan and perform the " +
		"examination to obtain reasonable assurance about whether the assertion is fairly stated, in all " +
		"material respects, which included testing the operating effectiveness of controls throughout the " +
		"period. We believe the evidence we obtained is sufficient and appropriate to support our opinion.")
	d.h2("Inherent limitations")
	d.p("Any system of internal control has limits, and controls may fail to prevent, or to detect and " +
		"correct, errors or fraud. Conclusions about the effectiveness of controls also do not carry forward " +
		"to future periods, because systems and controls change and compliance with policies may decline.")
	d.h2("Opinion")
	d.p("In our opinion, management's assertion that the controls within the system were effective " +
		"throughout the period 1 October 2025 to 30 September 2026, to provide reasonable assurance that " +
		"Lumen Ledger's service commitments and system requirements were achieved based on the applicable " +
		"trust services criteria, is fairly stated in all material respects.")
	d.signature()
	d.newPage()

	d.h1("Section 2. Assertion of Lumen Ledger, Inc. Management")
	d.p("We are responsible for designing, implementing, operating and maintaining effective controls within " +
		"the " + System + " throughout the period 1 October 2025 to 30 September 2026, to provide reasonable " +
		"assurance that our service commitments and system requirements relevant to security, availability " +
		"and confidentiality were achieved. Section 3 describes the boundaries of the system and our principal " +
		"service commitments and system requirements.")
	d.p("We have performed an evaluation of the effectiveness of the controls within the system throughout the " +
		"period, using the criteria for security, availability and confidentiality of the AICPA's Trust Services " +
		"Criteria. Our objectives for the system are embodied in our service commitments and system requirements.")
	d.p("Because of inherent limitations in any system of internal control, there is a risk that controls " +
		"fail to provide reasonable assurance that commitments and requirements are achieved. Based on our " +
		"evaluation, we assert that the controls within the system were effective throughout the period to " +
		"provide that reasonable assurance, based on the applicable trust services criteria.")
	d.p("Lumen Ledger, Inc. management (SAMPLE)")
	d.newPage()

	d.h1("Section 3. Boundaries of the System and Principal Commitments")
	d.h2("Services provided")
	d.p("Lumen Ledger provides a software-as-a-service platform for finance operations teams. Customers use it " +
		"to capture and approve supplier invoices, schedule supplier payments, reconcile bank accounts and " +
		"manage the month-end close. The platform is available at https://app." + Domain + ".")
	d.h2("Components of the system")
	d.bullets(
		"Infrastructure: virtual networks, compute, managed databases and object storage operated by a cloud provider in two regions.",
		"Software: the Lumen Ledger web application, public API, background job workers and the supporting monitoring and deployment tooling.",
		"People: engineering, site reliability, security, customer support and finance operations staff.",
		"Data: customer invoices, payment instructions, bank statement data, ledger exports and user account data.",
		"Procedures: documented processes for access management, change management, incident response, backup and recovery.",
	)
	d.h2("Principal service commitments")
	d.bullets(
		"Security: customer data is encrypted in transit with TLS 1.2 or later and at rest with AES-256; production access requires multi-factor authentication.",
		"Availability: the production service targets 99.9% monthly availability, with recovery objectives of four hours (RTO) and one hour (RPO).",
		"Confidentiality: customer data is used only to provide the service, is accessible only to authorized personnel, and is deleted within 30 days after a contract ends.",
	)
	d.h2("Criteria not in scope")
	d.p("The processing integrity and privacy categories of the Trust Services Criteria were not in scope " +
		"of this examination.")
	return d.done()
}
